"""SQLAlchemy storage: schema, migrations, engines, repositories. No Qt here."""
