"""healer remediation job: coerce an input to its contract and quarantine the rows that cannot be.

Runs as an AWS Glue (PySpark) job, or locally with plain pyspark:

    python glue_remediate.py --healer_action quarantine --incident_id inc-1 \
        --input_path data/in.csv --remediated_path out/ok/ --quarantine_path out/bad/ \
        --contract '{"dataset":"orders","columns":[{"name":"amount","type":"double","nullable":true}],"renames":[]}'

Contract: `columns` (name, logical type, nullable) and `renames` (current name `from` -> contract
name `to`). Casts use try-cast semantics: a value that does not parse becomes a reason, never a
silent null. Every row is accounted for: rows in = rows delivered + rows quarantined. Quarantined
rows keep their original values (as strings), with `_healer_reason` and `_healer_incident_id`.
The accounting is printed as one JSON line and written to `<remediated_path>/_healer_accounting.json`.
"""

import json
import sys

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

ARGS = ["healer_action", "incident_id", "input_path", "remediated_path", "quarantine_path", "contract"]
OPTIONAL = {"input_format": "", "output_format": "parquet"}

SPARK_TYPES = {
    "boolean": T.BooleanType(),
    "int32": T.IntegerType(),
    "int64": T.LongType(),
    "float": T.FloatType(),
    "double": T.DoubleType(),
    "decimal": T.DecimalType(38, 9),
    "string": T.StringType(),
    "date": T.DateType(),
    "timestamp": T.TimestampType(),
    "binary": T.BinaryType(),
}


def resolve_args(argv):
    """Glue's getResolvedOptions when running under Glue, else the same `--name value` pairs."""
    try:
        from awsglue.utils import getResolvedOptions  # type: ignore

        return getResolvedOptions(argv, ARGS)
    except ImportError:
        out = dict(OPTIONAL)
        i = 1
        while i < len(argv):
            if argv[i].startswith("--") and i + 1 < len(argv):
                out[argv[i][2:]] = argv[i + 1]
                i += 2
            else:
                i += 1
        missing = [a for a in ARGS if a not in out]
        if missing:
            raise SystemExit("glue_remediate: missing arguments: " + ", ".join("--" + m for m in missing))
        return out


def under_glue():
    try:
        import awsglue  # type: ignore  # noqa: F401

        return True
    except ImportError:
        return False


def detect_format(path, declared):
    if declared:
        return declared
    lower = path.lower().rstrip("/")
    for ext, fmt in ((".parquet", "parquet"), (".csv", "csv"), (".json", "json"), (".ndjson", "json"), (".jsonl", "json")):
        if lower.endswith(ext):
            return fmt
    return "parquet"


def read_input(spark, path, fmt):
    if fmt == "csv":
        # Everything as text: casting is the contract's job, with try-cast accounting.
        return spark.read.option("header", "true").option("inferSchema", "false").csv(path)
    if fmt == "json":
        return spark.read.option("multiLine", "false").json(path)
    return spark.read.parquet(path)


def q(name):
    """A Spark column reference that works for any name (dots, quotes, semicolons, backticks)."""
    return "`%s`" % name.replace("`", "``")


def remediate(df: DataFrame, contract: dict, incident_id: str):
    """Returns (good rows in contract shape, quarantined rows with reasons)."""
    arrived_as = {}
    for rename in contract.get("renames", []):
        if rename["from"] in df.columns and rename["to"] not in df.columns:
            df = df.withColumnRenamed(rename["from"], rename["to"])
            arrived_as[rename["to"]] = rename["from"]
    columns = contract["columns"]
    source_cols = list(df.columns)
    # Original names and values (as text) so a quarantined row shows exactly what arrived.
    originals = [F.col(q(c)).cast("string").alias("__o_" + c) for c in source_cols]
    casted, reasons = [], []
    for col in columns:
        name, spark_type = col["name"], SPARK_TYPES.get(col["type"])
        ident = q(name)
        if name not in source_cols:
            casted.append(F.lit(None).cast(spark_type or T.StringType()).alias(name))
            if not col.get("nullable", True):
                reasons.append(F.lit("missing required column %s" % name))
            continue
        src = F.col(ident)
        value = src if spark_type is None else src.cast(spark_type)
        casted.append(value.alias("__c_" + name))
        # try-cast: a non-null input that casts to null did not parse.
        if spark_type is not None:
            reasons.append(
                F.when(src.isNotNull() & value.isNull(), F.lit("cannot cast %s to %s" % (name, col["type"])))
            )
        if not col.get("nullable", True):
            reasons.append(F.when(src.isNull(), F.lit("null in non-nullable column %s" % name)))
    reason = F.concat_ws("; ", *reasons) if reasons else F.lit("")
    staged = df.select(*originals, *[c for c in casted], reason.alias("_healer_reason"))
    good = staged.filter(F.col("_healer_reason") == "").select(
        *[
            (F.col(q("__c_" + c["name"])) if c["name"] in source_cols else F.col(q(c["name"]))).alias(c["name"])
            for c in columns
        ]
    )
    bad = staged.filter(F.col("_healer_reason") != "").select(
        *[F.col(q("__o_" + c)).alias(arrived_as.get(c, c)) for c in source_cols],
        F.col("_healer_reason"),
        F.lit(incident_id).alias("_healer_incident_id"),
    )
    return good, bad


def main(argv):
    args = resolve_args(argv)
    contract = json.loads(args["contract"])
    builder = SparkSession.builder.appName("healer-remediate")
    if not under_glue():
        # Local runs (tests, laptops): one small local executor, no UI, few shuffle partitions.
        builder = (
            builder.master("local[1]")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "1")
        )
    spark = builder.getOrCreate()
    fmt = detect_format(args["input_path"], args.get("input_format", ""))
    df = read_input(spark, args["input_path"], fmt).cache()
    rows_in = df.count()
    good, bad = remediate(df, contract, args["incident_id"])
    # coerce_schema and quarantine both publish what conforms and quarantine what cannot: a value that
    # does not cast is held back with its reason, never dropped. How many rows that may be is the
    # guard's call before the job starts (G9 for quarantine, G15 for coercion), not this script's.
    good = good.cache()
    bad = bad.cache()
    delivered, quarantined = good.count(), bad.count()
    out_fmt = args.get("output_format", "parquet") or "parquet"
    good.write.mode("overwrite").format(out_fmt).save(args["remediated_path"])
    if quarantined:
        bad.write.mode("overwrite").format("json").save(args["quarantine_path"])
    accounting = {
        "incidentId": args["incident_id"],
        "action": args["healer_action"],
        "rowsIn": rows_in,
        "rowsDelivered": delivered,
        "rowsQuarantined": quarantined,
        "balanced": rows_in == delivered + quarantined,
    }
    print(json.dumps(accounting))
    target = args["remediated_path"].rstrip("/") + "/_healer_accounting.json"
    # Hadoop FS writes to s3:// under Glue and to local paths here, with the same call.
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    path = jvm.org.apache.hadoop.fs.Path(target)
    stream = path.getFileSystem(conf).create(path, True)
    stream.write(bytearray(json.dumps(accounting).encode("utf-8")))
    stream.close()
    spark.stop()
    return 0 if accounting["balanced"] else 4


if __name__ == "__main__":
    sys.exit(main(sys.argv))
