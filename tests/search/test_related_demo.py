"""Related and meaning search on the demo knowledge base: a paraphrase that shares few words with
the FAQ it means is still found first. Curated links and co-clicks: test_related.py, on factories."""


def test_meaning_finds_a_paraphrase_that_shares_few_words(client):
    """冻结 never appears in the lockout FAQ; the sentence embedding still ranks it first."""
    data = client.get("/api/v1/search", query_string={"q": "账号被冻结了"}).get_json()
    assert "锁定" in data["results"][0]["title"]
