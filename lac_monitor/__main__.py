from lac_monitor.cli import main

raise SystemExit(main())
