"""A synthetic Smitsveen for demos and benchmarks. No real residents: every address and record is made up."""
