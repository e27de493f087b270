"""Import: validate and normalize source layers and progress records, then write the store."""
