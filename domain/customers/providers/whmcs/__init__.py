"""WHMCS clients <-> customer types: ValidateLogin, GetUsers, GetClients, GetClientsDetails, AddClient,
UpdateClient."""
