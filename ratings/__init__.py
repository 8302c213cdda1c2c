"""Evidence of agencies' conduct (engagements, reviews, complaints, evaluations,
inspections) and the star rating computed from it. Depends on `registry`, never on
`blacklist`."""
