"""WHMCS: the billing API (``api.php``)."""
