@RC-18 @must @verify @final
Feature: RC-18 What it acknowledged, it processed
  An acknowledgement is not proof of processing: a receiver that answers
  200 and then loses the work (a background crash, a file rewritten by
  concurrent requests) loses the notification for good, since AssemblyAI
  never sends it again (D-3, D-4). With --verify-url, the receiver's own
  application is asked about every transcript_id it acknowledged in the
  run; with --verify api-fetch (and --api), its fetch of each transcript
  from the emulated API is the proof. Runs last, alone.

  Scenario: Every acknowledged notification was processed
    Given the run is configured with a verify URL (otherwise not applicable)
    Then every notification the receiver acknowledged in this run was processed
