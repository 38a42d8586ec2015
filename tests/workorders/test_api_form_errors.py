"""A multipart form's schema errors name the field without the schema parameter, in Chinese."""


def test_multipart_form_errors_drop_the_schema_name(client, tree, resident, managed, utilities):
    client.force_login(resident)
    r = client.post("/api/requests/file", data={"category": "utilities", "description": "楼道灯不亮",
                                                "place": "abc"})
    assert r.status_code == 422
    assert r.json()["detail"] == [{"loc": ["form", "place"], "msg": "必须是整数", "type": "int_parsing"}]
