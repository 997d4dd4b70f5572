"""Action plans: milestones, owners, contributors, dependencies and evidence links."""
