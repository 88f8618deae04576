from imscheck.cli import main

main()
