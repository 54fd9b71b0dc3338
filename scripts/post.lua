-- wrk script: POST the D-2 notification body, as a delivery does.
wrk.method = "POST"
wrk.body = '{"transcript_id":"5552493-16d8-42d8-8feb-c2a16b56f6e8","status":"completed"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "python-requests/2.25.1"
