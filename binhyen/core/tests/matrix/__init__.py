"""The authorization matrix: every URL and API operation declared, requested as every role."""
