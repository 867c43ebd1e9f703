"""What training needs besides the corpus: word vectors from the raw news."""
