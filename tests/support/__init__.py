"""Helpers shared by the test suite: synthetic fundus photographs and tiny ONNX models."""
