<?php
/**
 * Send one signed test event to the portal, exactly as the hook module would.
 *
 *   php send_test_event.php [--config=FILE] [--url=URL] [--secret=SECRET] [--event=InvoicePaid]
 *       [--client-id=N] [--invoice-id=N] [--service-id=N] [--product-id=N]
 *       [--firstname=..] [--lastname=..] [--email=..] [--transport=auto|curl|stream]
 *
 * Without --url/--secret the module's configuration is used (--config, or the
 * _portal_webhooks_config.php next to portal_webhooks.php, or the PORTAL_WEBHOOKS_* constants).
 * Prints the portal's answer as JSON; exits 0 when it answered 2xx, 1 otherwise, 2 on bad usage.
 * Run it on the WHMCS server after installing the module, to check URL, secret, clock and network.
 */

if (PHP_SAPI !== 'cli') {
    die('This file cannot be accessed directly');
}

require_once __DIR__ . '/portal_webhooks.php';

$options = getopt('', [
    'config:', 'url:', 'secret:', 'event:', 'client-id:', 'invoice-id:', 'service-id:', 'product-id:',
    'firstname:', 'lastname:', 'email:', 'transport:', 'help',
]);
if ($options === false || isset($options['help'])) {
    fwrite(STDERR, "usage: php send_test_event.php [--config=FILE] [--url=URL] [--secret=SECRET] [--event=InvoicePaid]\n"
        . "       [--client-id=N] [--invoice-id=N] [--service-id=N] [--product-id=N] [--transport=auto|curl|stream]\n");
    exit(2);
}

$config = portal_webhooks_config($options['config'] ?? null);
foreach (['url', 'secret'] as $key) {
    if (isset($options[$key])) {
        $config[$key] = (string) $options[$key];
    }
}
$event = $options['event'] ?? 'InvoicePaid';
$clientId = (int) ($options['client-id'] ?? 1);
if (strpos($event, 'Invoice') === 0) {
    $fields = ['client_id' => $clientId, 'invoice_id' => (int) ($options['invoice-id'] ?? 1)];
} elseif (strpos($event, 'AfterModule') === 0) {
    $fields = ['client_id' => $clientId, 'service_id' => (int) ($options['service-id'] ?? 1),
        'product_id' => (int) ($options['product-id'] ?? 0), 'domain' => ''];
} else {
    $fields = ['client_id' => $clientId, 'firstname' => (string) ($options['firstname'] ?? ''),
        'lastname' => (string) ($options['lastname'] ?? ''), 'email' => (string) ($options['email'] ?? ''),
        'companyname' => ''];
}
$transport = $options['transport'] ?? 'auto';
if (!in_array($transport, ['auto', 'curl', 'stream'], true) || ($transport === 'curl' && !function_exists('curl_init'))) {
    fwrite(STDERR, "transport must be auto, stream or curl (curl needs PHP's curl extension)\n");
    exit(2);
}

$result = portal_webhooks_send($event, $fields, $config, $transport);
echo json_encode([
    'event' => $event,
    'event_id' => $result['event_id'],
    'status' => $result['status'],
    'error' => $result['error'],
    'response' => $result['body'],
], JSON_UNESCAPED_SLASHES | JSON_PRETTY_PRINT), "\n";
exit($result['status'] >= 200 && $result['status'] < 300 ? 0 : 1);
