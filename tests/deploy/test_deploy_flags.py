"""deploy.sh's flags against the fake gcloud: bad flags refused before anything runs; the runtime and the sizes
Cloud Run's table refuses refused before any gcloud call, naming the flag and the values it would take; what it
takes deployed as given."""

import pytest

from tests.deploy.conftest import DEMO


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--cpu", "8"], "--cpu 8 takes --memory from 4Gi to 32Gi, not 512Mi"),
        (["--cpu", "3"], "--cpu must be 1, 2, 4, 6 or 8, or a fraction of one vCPU from 0.08 such as 0.5, not '3'"),
        (
            ["--cpu", "0.5", "--memory", "2Gi", "--concurrency", "1"],
            "--cpu 0.5 takes --memory up to 1Gi, not 2Gi: more needs --cpu 1 or more",
        ),
        (
            ["--cpu", "0.25", "--memory", "1Gi", "--concurrency", "1"],
            "--cpu 0.25 takes --memory up to 512Mi, not 1Gi: more needs --cpu 0.5 or more",
        ),
        (
            ["--cpu", "0.05", "--concurrency", "1"],
            "--cpu must be 1, 2, 4, 6 or 8, or a fraction of one vCPU from 0.08 such as 0.5, not '0.05'",
        ),
        (["--cpu", "0.5", "--memory", "64Mi", "--concurrency", "1"], "--memory must be at least 128Mi, not 64Mi"),
        (["--cpu", "1", "--memory", "5Gi"], "--cpu 1 takes --memory from 128Mi to 4Gi, not 5Gi"),
        (["--cpu", "4", "--memory", "1Gi"], "--cpu 4 takes --memory from 2Gi to 16Gi, not 1Gi"),
        (["--concurrency", "5000"], "--concurrency must be from 1 to 1000, not '5000'"),
        (
            ["--min-instances", "5", "--max-instances", "3"],
            "--min-instances 5 is more than --max-instances 3: keep at most 3 warm",
        ),
        (
            ["--memory", "lots"],
            "--memory must be a whole number of Mi or Gi (such as 512Mi or 2Gi), or of M or G, not 'lots'",
        ),
        (
            ["--memory", "512"],  # gcloud would read M: easily meant otherwise
            "--memory must be a whole number of Mi or Gi (such as 512Mi or 2Gi), or of M or G, not '512'",
        ),
        (
            ["--runtime", "python314"],
            "--runtime must be python312 or python313 (their builds install function/requirements.txt from "
            "wheels), not 'python314'",
        ),
    ],
)
def test_sizes_cloud_run_refuses_are_refused_before_any_gcloud_call(cloud, flags, message):
    cloud.assert_refused([*DEMO, *flags], message)


@pytest.mark.parametrize(
    ("flags", "memory", "cpu", "concurrency"),
    [
        (["--cpu", "2", "--memory", "1Gi"], "1Gi", "2", "8"),
        (["--cpu", "0.5", "--memory", "512Mi", "--concurrency", "1"], "512Mi", "0.5", "1"),
        (["--cpu", "4", "--memory", "2Gi"], "2Gi", "4", "8"),
        (["--cpu", "0.5", "--memory", "1G", "--concurrency", "1"], "1G", "0.5", "1"),  # 1G is less than 1Gi
        (["--cpu", "8", "--memory", "32Gi", "--concurrency", "1000"], "32Gi", "8", "1000"),
        (["--memory", "512MB", "--runtime", "python313"], "512MB", "1", "8"),
    ],
)
def test_sizes_cloud_run_takes_are_deployed_as_given(cloud, flags, memory, cpu, concurrency):
    result = cloud.deploy(*DEMO, *flags)

    assert result.returncode == 0, result.stderr
    deployed = cloud.state()["deployed_with"]["digit"]
    assert (deployed["memory"], deployed["cpu"], deployed["concurrency"]) == (memory, cpu, concurrency)
    assert deployed["set-env-vars"].endswith(f",THREADS={concurrency}")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ([], "--project is required"),
        (["--project", "demo-project"], "--region is required"),
        (["--project"], "--project needs a value"),
        (["--project", "--region", "europe-west1"], "--project needs a value"),
        ([*DEMO, "--colour"], "unknown option: --colour"),
        ([*DEMO, "--min-instances", "some"], "--min-instances must be a whole number, not 'some'"),
        ([*DEMO, "--max-instances", "0"], "--max-instances must be 1 or more, not '0'"),
        ([*DEMO, "--concurrency", "0"], "--concurrency must be from 1 to 1000, not '0'"),
        (
            [*DEMO, "--cpu", "two"],
            "--cpu must be 1, 2, 4, 6 or 8, or a fraction of one vCPU from 0.08 such as 0.5, not 'two'",
        ),
        ([*DEMO, "--cpu", "0.5"], "--concurrency above 1 needs --cpu 1 or more"),
        (
            [*DEMO, "--function", "handwritten-digit-reader"],
            "--function handwritten-digit-reader would name its service account "
            "'handwritten-digit-reader-function': use at most 21 lowercase letters, digits and hyphens",
        ),
    ],
)
def test_bad_flags_are_refused_before_anything_runs(cloud, flags, message):
    cloud.assert_refused(flags, message)


def test_a_fraction_of_a_vcpu_serves_one_request_at_a_time(cloud):
    assert cloud.deploy(*DEMO, "--cpu", "0.583", "--concurrency", "1", "--memory", "1Gi").returncode == 0
    deploy = next(call for call in cloud.calls() if call.startswith("functions deploy"))
    assert "--cpu=0.583 --concurrency=1 " in deploy and deploy.endswith(",THREADS=1")
