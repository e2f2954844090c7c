"""Contact records of the four outreach channels, and the referrals they hold."""
