"""From verified results to working code: NumPy (and torch) printers, gradient checking, training."""
