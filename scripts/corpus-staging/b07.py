E = [
("mysql-connector-1045-access-denied-root","https://github.com/wizguin/slippers/issues/38","permission","mysql","(mysql.connector.errors.ProgrammingError) 1045 (28000): Access denied for user 'root'@'localhost' (using password: YES)"),
("mysql-cli-error-1045-access-denied","https://github.com/shogo82148/actions-setup-mysql/issues/1188","permission","mysql","ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: NO)\nERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: YES)"),
("mysql-mariadb-1045-sqlstate-28000-french","https://github.com/dbcodeio/public/issues/179","permission","mysql","Error:\n(conn:719, no: 1045, SQLState: 28000) Accès refusé pour l'utilisateur: 'root'@'@localhost' (mot de passe: OUI)"),
("mysqljs-er-access-denied-error","https://github.com/mysqljs/mysql/issues/2017","permission","mysql","ER_ACCESS_DENIED_ERROR: Access denied for user 'fernando'@'localhost' (using password: YES)"),
("mysql-db-error-1045-using-password-no","https://github.com/givanz/VvvebJs/issues/323","permission","mysql","Db error: \"Access denied for user 'root'@'localhost' (using password: NO)\" Error code: \"1045\""),
("pymysql-2013-lost-connection","https://github.com/danfengcao/binlog2sql/issues/80","transient","mysql","pymysql.err.OperationalError: (2013, 'Lost connection to MySQL server during query')"),
("pymysql-2006-gone-away-broken-pipe","https://github.com/ranaroussi/qtpylib/issues/13","transient","mysql","    raise err.OperationalError(2006, \"MySQL server has gone away (%r)\" % (e,))\npymysql.err.OperationalError: (2006, \"MySQL server has gone away (BrokenPipeError(32, 'Broken pipe'))\")"),
("mysqldb-2006-server-gone-away","https://github.com/grafos-ml/frappe/issues/26","transient","mysql","OperationalError: (2006, 'MySQL server has gone away')"),
("sqlalchemy-pymysql-2013-lost-connection","https://github.com/garncarz/nogamespy-vietcong/issues/15","transient","mysql","OperationalError\n(pymysql.err.OperationalError) (2013, 'Lost connection to MySQL server during query')"),
]
