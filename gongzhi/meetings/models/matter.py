"""支部先议 (the four steps of an owners' committee matter) and 民主听证 (hearings with bids and an owners' poll)."""
