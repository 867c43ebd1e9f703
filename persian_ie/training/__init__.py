"""What training needs besides the corpus: word vectors and pretrained tok2vec weights from the raw news."""
