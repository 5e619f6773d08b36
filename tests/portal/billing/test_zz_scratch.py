def test_scratch(whmcs, customer_client):
    r = customer_client.get("/billing/invoices/32/")
    print(r.content.decode().split("<main")[1])
    r = customer_client.get("/api/v1/invoices/32")
    print(r.json())
