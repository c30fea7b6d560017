"""Home-page "à faire" items of this area (registered with jalon.www.home.todo.provider)."""
