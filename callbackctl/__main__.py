from callbackctl.cli import main

main()
