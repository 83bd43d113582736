"""seedgrid on a schedule with Apache Airflow (2.4 or later, or 3).

Every night, `seedgrid run` of one config on a Spark standalone cluster, through bin/seedgrid-cron and spark-submit in
client mode (the driver runs on the Airflow worker and keeps the wrapper's lock while the run lasts). Each run renders
and measures only what is missing: a failed run is retried (`retries`) and continues where it stopped; a run that
overlaps the previous one exits at once with one line (the wrapper's lock, and `max_active_runs=1`).

Copy this file into Airflow's dags/ folder and set the paths below: the worker needs Java 17, a Spark 4.1.2
distribution whose bin/ is on PATH, and seedgrid's cluster jar, conf/ and bin/ (see the README, "Clusters, GPUs and
S3"). Nothing here was run under Airflow; SchedulingFilesTest parses this file with Python's ast module and checks
the versions in it against the pom.
"""

from datetime import timedelta

import pendulum
from airflow import DAG

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
except ImportError:  # Airflow 2
    from airflow.operators.bash import BashOperator

SEEDGRID_HOME = "/opt/seedgrid"
RUN_CONFIG = "/shared/seedgrid/sweep.yaml"
SPARK_MASTER = "spark://head:7077"

# The README's submission for GPU workers, with the S3A jars for an s3a:// output.
SPARK_SUBMIT = " ".join([
    "spark-submit",
    f"--master {SPARK_MASTER}",
    f"--properties-file {SEEDGRID_HOME}/conf/spark-defaults.cluster-gpu.conf",
    "--packages org.apache.spark:spark-hadoop-cloud_2.13:4.1.2",
    "--exclude-packages com.google.cloud.bigdataoss:gcs-connector,org.apache.hadoop:hadoop-azure,"
    "org.apache.hadoop:hadoop-azure-datalake,org.apache.hadoop:hadoop-aliyun,org.apache.hadoop:hadoop-huaweicloud,"
    "org.apache.hadoop:hadoop-cloud-storage,org.apache.hadoop:hadoop-client-api,org.apache.hadoop:hadoop-client-runtime",
    "--class io.seedgrid.jobs.cli.Main",
    f"{SEEDGRID_HOME}/seedgrid-cluster.jar",
])

with DAG(
    dag_id="seedgrid_sweep",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=15)},
    tags=["seedgrid"],
) as dag:
    BashOperator(
        task_id="seedgrid_run",
        # exit 0: done (or still running from before); 1: the run failed, a retry continues it; 2: bad input
        bash_command=f"{SEEDGRID_HOME}/bin/seedgrid-cron {RUN_CONFIG} {SPARK_SUBMIT}",
        execution_timeout=timedelta(hours=20),
    )
