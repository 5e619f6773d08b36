<?php
/**
 * Customer portal webhooks: a WHMCS hook module.
 *
 * WHMCS has no signed outbound webhooks of its own. Dropped into WHMCS's `includes/hooks/`, this file
 * tells the customer portal when an invoice or a service changed, or a client's details were edited,
 * so the portal refreshes what it cached:
 *
 *   InvoicePaid, InvoiceCreated, InvoiceCancelled, InvoiceRefunded       -> client_id, invoice_id
 *   AfterModuleCreate (service activated), AfterModuleSuspend,
 *   AfterModuleUnsuspend, AfterModuleTerminate                           -> client_id, service_id, product_id, domain
 *   ClientEdit                                                           -> client_id, firstname, lastname, email, companyname
 *
 * Each event is one JSON POST to the portal's `/webhooks/whmcs/` with the headers
 *
 *   X-WHMCS-Event-Id    random, unique per event (32 hex digits; also in the body as "event_id")
 *   X-WHMCS-Timestamp   Unix seconds
 *   X-WHMCS-Signature   hex HMAC-SHA256, keyed with the shared secret, of timestamp . "." . raw body
 *
 * and a short timeout. A delivery is tried once: a failure is written to WHMCS's activity log, and
 * the portal's operators re-drive it from there (see docs/webhooks.md). Nothing here ever throws
 * into WHMCS: a portal outage must not break a payment or a provisioning step.
 *
 * Configuration (docs/webhooks.md): `includes/hooks/_portal_webhooks_config.php` (the leading
 * underscore keeps WHMCS from loading it as a hook file) returning
 * ['url' => ..., 'secret' => ..., 'timeout' => 5, 'connect_timeout' => 3], or the constants
 * PORTAL_WEBHOOKS_URL, PORTAL_WEBHOOKS_SECRET, PORTAL_WEBHOOKS_TIMEOUT (e.g. in configuration.php),
 * which win over the file.
 *
 * The functions need nothing from WHMCS, so the file can be required from the PHP CLI
 * (`send_test_event.php`, the portal's tests); the hooks are registered only inside WHMCS.
 * Requires PHP 7.4 or newer.
 */

if (!defined('WHMCS') && PHP_SAPI !== 'cli') {
    die('This file cannot be accessed directly');
}

define('PORTAL_WEBHOOKS_VERSION', '1.0');

/** The signature of one delivery: hex HMAC-SHA256 of `timestamp . "." . body` with the secret. */
function portal_webhooks_sign(string $secret, string $timestamp, string $body): string
{
    return hash_hmac('sha256', $timestamp . '.' . $body, $secret);
}

/**
 * The module's settings: defaults, then the config file, then the PORTAL_WEBHOOKS_* constants.
 *
 * @return array{url: string, secret: string, timeout: int, connect_timeout: int}
 */
function portal_webhooks_config(?string $file = null): array
{
    $config = ['url' => '', 'secret' => '', 'timeout' => 5, 'connect_timeout' => 3];
    $file = $file ?? __DIR__ . '/_portal_webhooks_config.php';
    if (is_file($file)) {
        $loaded = include $file;
        if (is_array($loaded)) {
            $config = array_merge($config, array_intersect_key($loaded, $config));
        }
    }
    $constants = [
        'url' => 'PORTAL_WEBHOOKS_URL',
        'secret' => 'PORTAL_WEBHOOKS_SECRET',
        'timeout' => 'PORTAL_WEBHOOKS_TIMEOUT',
        'connect_timeout' => 'PORTAL_WEBHOOKS_CONNECT_TIMEOUT',
    ];
    foreach ($constants as $key => $constant) {
        if (defined($constant)) {
            $config[$key] = constant($constant);
        }
    }
    $config['url'] = trim((string) $config['url']);
    $config['secret'] = (string) $config['secret'];
    $config['timeout'] = max(1, (int) $config['timeout']);
    $config['connect_timeout'] = max(1, min((int) $config['connect_timeout'], $config['timeout']));
    return $config;
}

/**
 * One event, ready to send: its id, timestamp and raw JSON body.
 *
 * @return array{event_id: string, timestamp: string, body: string}
 */
function portal_webhooks_build(string $event, array $fields, ?string $eventId = null, ?int $now = null): array
{
    $eventId = $eventId ?? bin2hex(random_bytes(16));
    $now = $now ?? time();
    $payload = array_merge(
        ['event_id' => $eventId, 'event' => $event, 'occurred_at' => gmdate('c', $now)],
        $fields
    );
    $body = json_encode($payload, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE);
    if ($body === false) {
        throw new RuntimeException('could not encode the webhook body: ' . json_last_error_msg());
    }
    return ['event_id' => $eventId, 'timestamp' => (string) $now, 'body' => $body];
}

/** The HTTP headers of one built event, signed with `$secret`. */
function portal_webhooks_headers(array $built, string $secret): array
{
    return [
        'Content-Type: application/json',
        'User-Agent: WHMCS-Portal-Webhooks/' . PORTAL_WEBHOOKS_VERSION,
        'X-WHMCS-Event-Id: ' . $built['event_id'],
        'X-WHMCS-Timestamp: ' . $built['timestamp'],
        'X-WHMCS-Signature: ' . portal_webhooks_sign($secret, $built['timestamp'], $built['body']),
    ];
}

/**
 * POST `$body` once, with curl (always there in WHMCS) or, without it, PHP's HTTP streams.
 *
 * @return array{status: int, body: string, error: string} status 0: no answer (refused, timed out)
 */
function portal_webhooks_post(string $url, array $headers, string $body, int $timeout, int $connectTimeout,
                              string $transport = 'auto'): array
{
    if (!preg_match('#^https?://#i', $url)) {
        return ['status' => 0, 'body' => '', 'error' => 'the portal URL must start with http:// or https://'];
    }
    if ($transport === 'curl' || ($transport === 'auto' && function_exists('curl_init'))) {
        $curl = curl_init($url);
        curl_setopt_array($curl, [
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => $body,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT => $timeout,
            CURLOPT_CONNECTTIMEOUT => $connectTimeout,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
        ]);
        $answer = curl_exec($curl);
        $status = (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        $error = $answer === false ? curl_error($curl) : '';
        curl_close($curl);
        return ['status' => $answer === false ? 0 : $status, 'body' => (string) $answer, 'error' => $error];
    }
    $context = stream_context_create(['http' => [
        'method' => 'POST',
        'header' => implode("\r\n", array_merge($headers, ['Content-Length: ' . strlen($body), 'Connection: close'])),
        'content' => $body,
        'timeout' => $timeout,
        'ignore_errors' => true, // read 4xx/5xx answers instead of failing on them
        'follow_location' => 0,
        'protocol_version' => 1.1,
    ]]);
    $error = '';
    set_error_handler(function ($severity, $message) use (&$error) {
        $error = $message;
        return true;
    });
    try {
        $answer = file_get_contents($url, false, $context);
        $responseHeaders = function_exists('http_get_last_response_headers')
            ? (http_get_last_response_headers() ?? [])
            : ($http_response_header ?? []);
    } finally {
        restore_error_handler();
    }
    $status = 0;
    foreach ($responseHeaders as $line) {
        if (preg_match('#^HTTP/\S+\s+(\d{3})#', $line, $match)) {
            $status = (int) $match[1]; // the last status line wins
        }
    }
    return ['status' => $status, 'body' => $answer === false ? '' : $answer, 'error' => $status ? '' : $error];
}

/** Write to WHMCS's activity log (or PHP's error log outside WHMCS). */
function portal_webhooks_log(string $message): void
{
    if (function_exists('logActivity')) {
        logActivity($message);
    } else {
        error_log($message);
    }
}

/**
 * Build, sign and POST one event.
 *
 * @return array{event_id: string, status: int, body: string, error: string}
 */
function portal_webhooks_send(string $event, array $fields, ?array $config = null, string $transport = 'auto'): array
{
    $config = $config ?? portal_webhooks_config();
    if ($config['url'] === '' || $config['secret'] === '') {
        portal_webhooks_log("Portal webhook $event not sent: the portal URL or the shared secret is not configured");
        return ['event_id' => '', 'status' => 0, 'body' => '', 'error' => 'not configured'];
    }
    $built = portal_webhooks_build($event, $fields);
    $result = portal_webhooks_post($config['url'], portal_webhooks_headers($built, $config['secret']),
        $built['body'], (int) $config['timeout'], (int) $config['connect_timeout'], $transport);
    $result['event_id'] = $built['event_id'];
    if ($result['status'] < 200 || $result['status'] >= 300) {
        $why = $result['error'] !== '' ? $result['error'] : 'HTTP ' . $result['status'] . ' ' . substr($result['body'], 0, 200);
        portal_webhooks_log("Portal webhook $event {$built['event_id']} not delivered: $why");
    }
    return $result;
}

/** Run one hook's work; whatever happens, WHMCS carries on. */
function portal_webhooks_guard(string $hook, callable $work): void
{
    try {
        $work();
    } catch (Throwable $failure) {
        portal_webhooks_log("Portal webhook $hook failed: " . $failure->getMessage());
    }
}

/** The client an invoice belongs to (the invoice hooks are given only the invoice id). */
function portal_webhooks_invoice_client_id(int $invoiceId): int
{
    if (!function_exists('localAPI')) {
        return 0;
    }
    $invoice = localAPI('GetInvoice', ['invoiceid' => $invoiceId]);
    return ($invoice['result'] ?? '') === 'success' ? (int) ($invoice['userid'] ?? 0) : 0;
}

/** The hook function of an invoice event. */
function portal_webhooks_invoice_hook(string $event): callable
{
    return function ($vars) use ($event) {
        portal_webhooks_guard($event, function () use ($event, $vars) {
            $invoiceId = (int) ($vars['invoiceid'] ?? 0);
            $clientId = $invoiceId > 0 ? portal_webhooks_invoice_client_id($invoiceId) : 0;
            if ($clientId <= 0) {
                portal_webhooks_log("Portal webhook $event not sent: no client found for invoice $invoiceId");
                return;
            }
            portal_webhooks_send($event, ['client_id' => $clientId, 'invoice_id' => $invoiceId]);
        });
    };
}

/** The hook function of a service (module) event: only ids are sent, never the module's credentials. */
function portal_webhooks_service_hook(string $event): callable
{
    return function ($vars) use ($event) {
        portal_webhooks_guard($event, function () use ($event, $vars) {
            $params = isset($vars['params']) && is_array($vars['params']) ? $vars['params'] : $vars;
            $serviceId = (int) ($params['serviceid'] ?? 0);
            $clientId = (int) ($params['userid'] ?? ($params['clientsdetails']['userid'] ?? 0));
            if ($serviceId <= 0 || $clientId <= 0) {
                portal_webhooks_log("Portal webhook $event not sent: no service or client id");
                return;
            }
            portal_webhooks_send($event, [
                'client_id' => $clientId,
                'service_id' => $serviceId,
                'product_id' => (int) ($params['pid'] ?? 0),
                'domain' => (string) ($params['domain'] ?? ''),
            ]);
        });
    };
}

/** ClientEdit: the client's name, email and company (nothing else of the profile is sent). */
function portal_webhooks_client_edit_hook(): callable
{
    return function ($vars) {
        portal_webhooks_guard('ClientEdit', function () use ($vars) {
            $clientId = (int) ($vars['userid'] ?? ($vars['client_id'] ?? 0));
            if ($clientId <= 0) {
                portal_webhooks_log('Portal webhook ClientEdit not sent: no client id');
                return;
            }
            portal_webhooks_send('ClientEdit', [
                'client_id' => $clientId,
                'firstname' => (string) ($vars['firstname'] ?? ''),
                'lastname' => (string) ($vars['lastname'] ?? ''),
                'email' => (string) ($vars['email'] ?? ''),
                'companyname' => (string) ($vars['companyname'] ?? ''),
            ]);
        });
    };
}

if (function_exists('add_hook')) {
    foreach (['InvoicePaid', 'InvoiceCreated', 'InvoiceCancelled', 'InvoiceRefunded'] as $portalWebhooksHook) {
        add_hook($portalWebhooksHook, 1, portal_webhooks_invoice_hook($portalWebhooksHook));
    }
    foreach (['AfterModuleCreate', 'AfterModuleSuspend', 'AfterModuleUnsuspend', 'AfterModuleTerminate'] as $portalWebhooksHook) {
        add_hook($portalWebhooksHook, 1, portal_webhooks_service_hook($portalWebhooksHook));
    }
    add_hook('ClientEdit', 1, portal_webhooks_client_edit_hook());
    unset($portalWebhooksHook);
}
