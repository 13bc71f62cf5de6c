print("vitclip")
