complete --keep-order --exclusive --command ssoenv --arguments "(COMPLETE=fish ssoenv -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
