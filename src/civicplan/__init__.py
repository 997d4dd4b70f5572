"""CivicPlan: a city's five-year strategic plan, from the first survey to the last report card."""
