// Tokenizer: under construction.
