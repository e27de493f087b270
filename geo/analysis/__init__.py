"""Analysis: progress as of a date, roads by chainage, checks, goals; frames in, frames out."""
