print("paysync")
