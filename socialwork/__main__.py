from socialwork.cli import main

raise SystemExit(main())
