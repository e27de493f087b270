"""Reading what the park hands over: the project manifest and source files of every format."""
