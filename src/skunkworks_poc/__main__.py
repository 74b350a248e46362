from skunkworks_poc.cli import main

raise SystemExit(main())
