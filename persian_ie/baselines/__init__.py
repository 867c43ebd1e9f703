"""The two baselines the trained pipeline is measured against: rules and a CRF tagger."""
