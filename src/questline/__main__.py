from questline.cli.app import main

main()
