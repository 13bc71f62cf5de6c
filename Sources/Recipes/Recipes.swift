// The recipes the chapters call (mini pretraining, zero-shot evaluation, fine-tuning, cost).
