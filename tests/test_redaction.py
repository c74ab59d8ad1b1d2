"""Personal data never reaches storage or logs."""

from __future__ import annotations

from fastapi.testclient import TestClient

from assistant.redaction import luhn_ok, redact, strip_placeholders


def test_redact_personnummer_with_valid_check_digit() -> None:
    result = redact("Gäller 19121212-1212 och 121212+1212")
    assert result.text == "Gäller [personnummer] och [personnummer]"
    assert result.kinds == ("personnummer",)


def test_redact_samordningsnummer() -> None:
    number = next(f"701063-323{c}" for c in range(10) if luhn_ok(f"701063323{c}"))  # born 3 Oct 1970, day + 60
    assert redact(f"sökande {number}").kinds == ("samordningsnummer",)


def test_redact_leaves_numbers_without_valid_check_digit() -> None:
    for text in ("diarienummer NRV 2026-01234", "belopp 1212121213 kronor", "paragraf 2017:900"):
        assert redact(text).text == text


def test_redact_email_and_phone_numbers() -> None:
    result = redact("Ring 070-123 45 67 eller +46 8 123 456 78, mejla anna.svensson@foretag.se")
    assert "070" not in result.text and "+46" not in result.text and "anna" not in result.text
    assert set(result.kinds) == {"telefon", "e-post"}


def test_strip_placeholders_for_search() -> None:
    assert strip_placeholders(redact("Får 19121212-1212 söka stöd?").text) == "Får söka stöd?"


def test_ask_stores_no_identifier_in_the_formats_a_probe_found(client: TestClient) -> None:
    question = (
        "Sökande 811218\u20139876 (fel kontrollsiffra 811218-9877), mejl anna\u200b.svensson@foretag.se, "
        "tel +46-70-123 45 67 eller (08) 123 45 67: gäller 0 500 000 kr till bankgiro 0123-4567?"
    )
    body = client.post("/api/ask", json={"question": question}).json()
    assert set(body["redacted"]) == {"personnummer", "e-post", "telefon"}
    assert "togs bort" in body["notes"][0] and "kontrollsiffran" in body["notes"][0]
    [stored] = client.get(f"/api/conversations/{body['conversation_id']}").json()["exchanges"]
    for secret in ("9876", "9877", "svensson", "123 45 67"):
        assert secret not in stored["question"]
    assert "0 500 000 kr" in stored["question"] and "0123-4567" in stored["question"]
    feedback = client.post(
        f"/api/answers/{body['answer_id']}/feedback",
        json={
            "rating": "down",
            "comment": "Räntan 0,085185 gäller från 2026-01-15, dnr NRV 2026/1234, ring 070\u2013123 45 67",
        },
    ).json()
    assert feedback["comment"] == "Räntan 0,085185 gäller från 2026-01-15, dnr NRV 2026/1234, ring [telefonnummer]"
