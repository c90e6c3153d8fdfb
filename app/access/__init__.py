"""Who may read and change a lab (SPEC §12): keys, the admin token, and the check every lab route passes."""
