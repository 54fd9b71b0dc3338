@RC-12 @must
Feature: RC-12 Never answers a 3xx
  Redirects are not followed: a 3xx is a failure that is retried until the
  notification is lost (P-3).

  Scenario: A delivery is not answered with a redirect
    When AssemblyAI delivers a "completed" transcript notification
    Then the receiver does not answer with a 3xx
