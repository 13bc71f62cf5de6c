// Checkpoints: under construction.
