"""Django 6.1's database-level ``on_delete`` (``DB_CASCADE``, ``DB_SET_NULL``): the database
deletes or detaches the rows, Django sends no signal and collects nothing. Installed by the test
settings on Django 6.1 and later only."""
