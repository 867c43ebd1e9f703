"""Where sentences and clauses end: the one table every step reads (relation features, the
nearest-pair rule, and telling a news title from a sentence)."""

SENTENCE_END = (".", "؟", "?", "!", "؛")
CLAUSE_END = SENTENCE_END + (":",)
# closing quotes and brackets: a line ending in one is a quotation or an aside, not a title
CLOSING_MARKS = ("»", '"', ")")
# what joins the items of a list of names or figures (`منچسترسیتی: ادرسون- واکر- کمپانی`, `الف، ب و ج`):
# the separators plus `و`, which joins the last item
LIST_SEPARATORS = ("،", ",", "-", "–", "—", ":", "(", ")", "«", "»", "/", "و")
