@RC-12 @must @streaming
Feature: RC-12 (streaming) Never answers a session webhook with a 3xx
  Redirects are not followed: a 3xx is a failure that is retried until the
  session's transcript is lost (P-3, S-3).

  Scenario: A session webhook is not answered with a redirect
    When AssemblyAI delivers the webhook of a 1-minute streaming session
    Then the receiver does not answer with a 3xx
