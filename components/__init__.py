"""Component resources that group a team's OpenAI project access."""
