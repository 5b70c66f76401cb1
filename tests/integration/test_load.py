"""Load as Cloud Functions gen2 serves it (one process, THREADS request threads): 8 clients × 500 requests
with no errors, and every answer identical to the serial answer for the same input."""

from concurrent.futures import ThreadPoolExecutor

import requests

from local import services
from tests.helpers import csv

CLIENTS = 8
REQUESTS_EACH = 500


def test_eight_concurrent_clients_get_exactly_the_serial_answers(weights_bucket, start_function, held_out):
    server = start_function(weights_bucket, THREADS=str(CLIENTS))
    services.wait_until_loaded(server.url, timeout=60)
    bodies = [{"image": csv(image)} for image in held_out[0][:50]]
    with requests.Session() as session:
        serial = [session.post(server.url, json=body).json() for body in bodies]

    def client(number: int) -> list[str]:
        problems = []
        with requests.Session() as session:
            for turn in range(REQUESTS_EACH):
                index = (number * 7 + turn) % len(bodies)
                response = session.post(server.url, json=bodies[index], timeout=30)
                if response.status_code != 200 or response.json() != serial[index]:
                    problems.append(f"client {number}, turn {turn}: {response.status_code} {response.text[:80]}")
        return problems

    with ThreadPoolExecutor(CLIENTS) as pool:
        problems = [problem for found in pool.map(client, range(CLIENTS)) for problem in found]
    assert problems == []
    assert server.process.poll() is None
