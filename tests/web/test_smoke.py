from conftest import edit_form


def test_create_and_view(client, auth):
    auth.login()
    fields = edit_form(client, "Écrit_public")
    r = client.post(
        "/wiki/%C3%89crit_public?action=edit",
        data={
            **fields,
            "text": "Bonjour [[Aide:X|aide]] **gras**",
            "summary": "s",
            "licence": "CC-BY-4.0",
            "save": "1",
        },
    )
    assert r.status_code == 302, r.text
    r = client.get("/wiki/%C3%89crit_public")
    assert r.status_code == 200, r.text
    print(r.text)
