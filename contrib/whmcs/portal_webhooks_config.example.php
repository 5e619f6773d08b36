<?php
/**
 * Settings of the customer portal's WHMCS hook module (portal_webhooks.php).
 *
 * Copy to WHMCS's includes/hooks/_portal_webhooks_config.php: the leading underscore keeps WHMCS
 * from loading this file as a hook. Keep it readable by the web server user only (chmod 640).
 * The constants PORTAL_WEBHOOKS_URL, PORTAL_WEBHOOKS_SECRET and PORTAL_WEBHOOKS_TIMEOUT, when
 * defined (e.g. in configuration.php), win over these values. See docs/webhooks.md.
 */

if (!defined('WHMCS') && PHP_SAPI !== 'cli') {
    die('This file cannot be accessed directly');
}

return [
    // The portal's receiver.
    'url' => 'https://portal.example.com/webhooks/whmcs/',
    // The same value as the portal's WHMCS_WEBHOOK_SECRET, e.g. from:
    //   python3 -c 'import secrets; print(secrets.token_urlsafe(48))'
    'secret' => 'replace-with-the-portal-WHMCS_WEBHOOK_SECRET',
    // Seconds: the whole request, and connecting. WHMCS waits for the portal, so keep them short.
    'timeout' => 5,
    'connect_timeout' => 3,
];
