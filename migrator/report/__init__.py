"""What a run says about its files: the text on stderr, and the reports
other tools read (JSON, SARIF, GitHub annotations, GitLab Code Quality,
checkstyle, Markdown). Each is a plain function of the checked outcomes."""
