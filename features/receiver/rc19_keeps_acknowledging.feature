@RC-19 @must @api @isolated
Feature: RC-19 Keeps acknowledging other notifications while one transcript fetch is slow
  A batch of transcripts finishes at once. While AssemblyAI's API holds
  the receiver's fetch of one transcript, the others must still be
  acknowledged within the 10 s deadline (D-3); a receiver that serves one
  request at a time meanwhile (a blocking call inside an event loop, one
  worker) makes them all miss it, and every retry can too (D-4, D-6). The
  notification whose fetch is slow is RC-15's concern, not this one's.
  Runs alone, in the isolated phase, so that the stall it provokes cannot
  reach another scenario. Needs --api.

  Background:
    Given the run is configured with AssemblyAI's API (otherwise not applicable)

  Scenario: Five notifications are acknowledged while the fetch of another transcript takes 15 s
    Given AssemblyAI's API answers each fetch of the transcript only after 15 seconds
    When AssemblyAI delivers a "completed" transcript notification and, while the receiver's fetch of it is held, 5 more
    Then each notification delivered while that fetch was held is acknowledged with a 2xx within the deadline
