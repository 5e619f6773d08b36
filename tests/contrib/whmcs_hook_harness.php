<?php
/**
 * Runs portal_webhooks.php the way WHMCS does, with WHMCS's functions stubbed:
 *
 *   php whmcs_hook_harness.php URL SECRET HOOK VARS_JSON INVOICE_OWNER_JSON
 *
 * Defines the PORTAL_WEBHOOKS_* constants, loads the module (which registers its hooks through the
 * stub add_hook), calls HOOK's function with VARS_JSON, and prints JSON: the hooks registered, the
 * localAPI calls made and the activity log lines written.
 */
[$script, $url, $secret, $hook, $varsJson, $invoiceOwnersJson] = $argv;

$GLOBALS['registered'] = [];
$GLOBALS['api_calls'] = [];
$GLOBALS['activity'] = [];
$GLOBALS['invoice_owners'] = json_decode($invoiceOwnersJson, true);

define('WHMCS', true);
define('PORTAL_WEBHOOKS_URL', $url);
define('PORTAL_WEBHOOKS_SECRET', $secret);
define('PORTAL_WEBHOOKS_TIMEOUT', 5);

function add_hook($name, $priority, $function)
{
    $GLOBALS['registered'][$name] = $function;
}

function localAPI($command, $values)
{
    $GLOBALS['api_calls'][] = [$command, $values];
    $owner = $GLOBALS['invoice_owners'][(string) ($values['invoiceid'] ?? '')] ?? null;
    return $owner === null
        ? ['result' => 'error', 'message' => 'Invoice ID Not Found']
        : ['result' => 'success', 'invoiceid' => $values['invoiceid'], 'userid' => (string) $owner];
}

function logActivity($message)
{
    $GLOBALS['activity'][] = $message;
}

require __DIR__ . '/../../contrib/whmcs/portal_webhooks.php';

if ($hook !== '') {
    $GLOBALS['registered'][$hook](json_decode($varsJson, true));
}
echo json_encode([
    'registered' => array_keys($GLOBALS['registered']),
    'api_calls' => $GLOBALS['api_calls'],
    'activity' => $GLOBALS['activity'],
]);
