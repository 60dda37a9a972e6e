# The guard matters: extraction workers start from a fork server that imports __main__.
if __name__ == "__main__":
    from service.cli import main

    main()
